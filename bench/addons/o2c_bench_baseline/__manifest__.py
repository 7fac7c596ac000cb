{
    "name": "O2C benchmark baseline",
    "summary": "Benchmarks only: a bare route storing a body with one INSERT",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "author": "O2C developers",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
