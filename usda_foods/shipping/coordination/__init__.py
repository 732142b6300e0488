"""Cross-state coordination (issue 18): a state agency offers a food's remainder to other states'
agencies; an agency that takes it up gets a joint plan over both states' remainders, solved with
the same planner rules, which binds once both agencies accept it. Also the SDA's per-window
demand-versus-truckload page."""
