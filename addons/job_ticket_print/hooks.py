def post_init_hook(env):
    """Orders confirmed before the install start in the first production stage
    (no job ticket is printed for them)."""
    first = env["production.stage"].search([], limit=1)
    env["sale.order"].search(
        [("state", "=", "sale"), ("production_stage_id", "=", False)]
    ).write({"production_stage_id": first.id})
