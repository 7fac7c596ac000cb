"""Shared start of the in-process benchmarks: arguments, config, registry."""

import argparse

import odoo
from odoo.tools import config


def open_registry(add_arguments):
    """Parse ``--database/--addons-path/--config`` plus the caller's own arguments.

    :param add_arguments: ``callable(parser)`` adding the benchmark's options
    :return: ``(registry, args)``
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--config", required=True)
    add_arguments(parser)
    args = parser.parse_args()
    config.parse_config(
        ["-c", args.config, "--addons-path", args.addons_path, "-d", args.database]
        + ["--log-level", "warn"]
    )
    return odoo.modules.registry.Registry(args.database), args
