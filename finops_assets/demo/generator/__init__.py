"""Demo FOCUS 1.2 billing data: realistic, exact, deterministic and fast.

`month.generate_month` builds one billing month of FOCUS cost-and-usage rows for four providers
(AWS, Microsoft, Google Cloud, Oracle), six billing accounts (five in USD, one in EUR), seventeen
sub-accounts, a catalogue of actual cloud services and a population of tagged resources owned by
applications; `writer.write_dataset` writes one Parquet or CSV file per month of a
`spec.DemoSpec`.

Determinism: the world (world.py: accounts, catalogue, resources) comes from the spec's seed,
each month's rows from a generator seeded with (seed, year, month). Speed: everything is
vectorised (numpy draws, index gathers from small string tables, Arrow buffers for decimals);
no Python loop runs per row.
"""
