"""Behaviour both framework adapters share, tested once for each (fixture ``adapter_env``)."""
