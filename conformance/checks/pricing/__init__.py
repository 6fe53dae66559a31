"""How a CPO prices a CDR, judged with the judge's own tariff evaluator (never the simulator's).

Pure functions over a CDR and the Tariffs it names; the suite (suites/cpo/test_pricing.py)
records the verdicts. In the order they build on each other:

- `numbers`: JSON numbers read exactly, and the precision they are written with.
- `tariff`: a Tariff's elements and price components (§11.3.1, §11.3.2, §11.4.4).
- `readings`: the spec's reading of each cost rule and the named wrong ones (TAR-007, TAR-008,
  CDR-008).
- `restrictions`: the element pricing a dimension at a moment, every TariffRestrictions field
  evaluated three-valued (§11.3.1, §11.4.6).
- `cdr`: a CDR read into periods, tariffs and cost fields (§10.3.1, §10.4.6).
- `periods`: what prices a dimension through a period: one element, a switch inside it (a
  missing split), or a switch a few seconds off its ends (accepted).
- `splits`: CDR-007, a new ChargingPeriod at every cost-relevant change (§10.3.1).
- `cost`: the CDR's cost under a reading (§10.3.1, §11.4.2 step_size).
- `cost_rules`: TAR-007, TAR-008 and CDR-008 judged from the cost: a rule is blamed only when
  every reading that explains the cost breaks it and nothing about the CDR is ambiguous.
- `outcome`: the verdicts and caveats handed to the suite.
"""
