#!/bin/bash
# Container start: make sure database $O2C_DB (default o2c_demo) has all our
# addons (from /mnt/extra-addons) installed with demo data, at the version of
# their manifests, then serve it.
# Database settings follow the official image: HOST, PORT, USER, PASSWORD.
set -euo pipefail

: "${HOST:=db}" "${PORT:=5432}" "${USER:=odoo}" "${PASSWORD:=odoo}"
DB="${O2C_DB:-o2c_demo}"
ADDONS_DIR="${O2C_ADDONS_DIR:-/mnt/extra-addons}"

if [ -z "${O2C_ADDONS:-}" ]; then
    # installable addons = folders with a __manifest__.py not marked installable: False
    O2C_ADDONS=$(python3 - "$ADDONS_DIR" <<'PY'
import ast, pathlib, sys
names = []
for manifest in sorted(pathlib.Path(sys.argv[1]).glob("*/__manifest__.py")):
    if ast.literal_eval(manifest.read_text()).get("installable", True):
        names.append(manifest.parent.name)
print(",".join(names))
PY
)
fi
if [ -z "$O2C_ADDONS" ]; then
    echo "o2c-start: no addon found in $ADDONS_DIR" >&2
    exit 1
fi

DB_ARGS=(--db_host "$HOST" --db_port "$PORT" --db_user "$USER" --db_password "$PASSWORD")
wait-for-psql.py "${DB_ARGS[@]}" --timeout=60

export PGHOST="$HOST" PGPORT="$PORT" PGUSER="$USER" PGPASSWORD="$PASSWORD"
wanted=$(tr ',' '\n' <<<"$O2C_ADDONS" | grep -c .)
installed=0
if [ "$(psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = "1" ]; then
    in_list="'${O2C_ADDONS//,/\',\'}'"
    installed=$(psql -d "$DB" -Atc "SELECT count(*) FROM ir_module_module
        WHERE state = 'installed' AND name IN ($in_list)" 2>/dev/null || echo 0)
fi
if [ "$installed" != "$wanted" ]; then
    echo "o2c-start: installing $O2C_ADDONS into $DB (with demo data)"
    # Odoo creates the database when missing; demo data is loaded by default.
    odoo "${DB_ARGS[@]}" -d "$DB" -i "$O2C_ADDONS" --stop-after-init
else
    # addons whose version in the code differs from the database's (new fields
    # or data after a pull): update them, or the server fails on what is missing
    installed_versions=$(psql -d "$DB" -Atc "SELECT name || '=' || latest_version
        FROM ir_module_module WHERE state = 'installed' AND name IN ($in_list)")
    outdated=$(python3 - "$ADDONS_DIR" "$installed_versions" <<'PY'
import ast, pathlib, sys
installed = dict(line.split("=", 1) for line in sys.argv[2].split() if "=" in line)
print(",".join(
    name for name, version in sorted(installed.items())
    if ast.literal_eval(
        (pathlib.Path(sys.argv[1]) / name / "__manifest__.py").read_text()
    ).get("version") != version
))
PY
)
    if [ -n "$outdated" ]; then
        echo "o2c-start: updating $outdated in $DB (a new version of the code)"
        odoo "${DB_ARGS[@]}" -d "$DB" -u "$outdated" --stop-after-init
    fi
fi

echo "o2c-start: serving $DB on http://localhost:8069 (login admin / admin)"
exec odoo "${DB_ARGS[@]}" -d "$DB" --db-filter "^${DB}\$" "$@"
