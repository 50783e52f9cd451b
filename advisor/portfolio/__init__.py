"""Portfolio assessment: read a CMDB export, assess it in chunks through the engine, write results,
and summarise them (consolidation onto shared platforms, migration waves)."""
