"""The eMSP simulator: receivers for what CPOs push, senders for Tokens, Commands and
ChargingProfiles, a pull client, a recorder of every exchange and switchable fault modes."""
