"""The workload profile: the one table of fields (`fields`), human units (`units`) and the frame
of many profiles the engine scores (`frame`)."""
