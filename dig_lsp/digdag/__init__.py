"""How digdag reads a value (each rule once, with its digdag source cited): the layer between the
syntax tree and the model."""
