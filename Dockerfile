# Demo image: the official Odoo 18 image plus this repo's Python deps.
# `docker compose up` mounts ./addons on /mnt/extra-addons and ./docker/odoo.conf
# on /etc/odoo/odoo.conf, then docker/o2c-start.sh creates the o2c_demo database.
FROM odoo:18.0

USER root
COPY requirements-docker.txt requirements-nodeps.txt /tmp/o2c/
# The image's Python is externally managed (PEP 668): pip needs
# --break-system-packages; packages land in /usr/local, next to the deb's Odoo.
# OCA addon wheels (queue_job) install into .../dist-packages/odoo/addons, a
# portion of the odoo.addons namespace that Odoo finds by itself.
RUN pip3 install --no-cache-dir --break-system-packages -r /tmp/o2c/requirements-docker.txt \
    && pip3 install --no-cache-dir --break-system-packages --no-deps \
        -r /tmp/o2c/requirements-nodeps.txt \
    && rm -rf /tmp/o2c
COPY --chmod=755 docker/o2c-start.sh /usr/local/bin/o2c-start
USER odoo

# The image's /entrypoint.sh runs any command that is not `odoo` as it is.
CMD ["o2c-start"]
