"""The conformance suites: pytest modules run by `plugfest check` against any party by URL."""
