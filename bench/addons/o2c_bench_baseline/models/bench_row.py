from odoo import fields, models


class O2cBenchRow(models.Model):
    _name = "o2c.bench.row"
    _description = "Benchmark baseline row"

    payload = fields.Text()
