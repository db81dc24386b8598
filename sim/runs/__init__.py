"""Runs: chunks of trials seeded from one root seed, executed in this process, a
process pool or on a Dask cluster, tallied into a summary and stored in a results
directory (Parquet and a manifest)."""
