"""The scoring pipeline for a frame of profiles: feasibility -> cost -> scoring -> confidence ->
explain -> what would change. Vectorised; never imports `advisor.learn` (the blend plugs in from
above, through `advisor.api`)."""
