{
    "name": "Job Tickets and Production Stages",
    "summary": "Confirmed orders print a job ticket in production (ESC/POS, CUPS or a "
    "folder), move through production stages, and are invoiced and e-mailed with a "
    "pay link when done",
    "version": "18.0.1.0.0",
    "category": "Manufacturing",
    "license": "LGPL-3",
    "author": "O2C developers",
    "website": "https://example.com/o2c",
    "depends": [
        "o2c_base",
        "ecom_order_intake",
        "sale_management",
        "account",
        "portal",
        "mail",
        "queue_job",
    ],
    "external_dependencies": {"python": ["python-escpos", "reportlab"]},
    "data": [
        "security/job_ticket_security.xml",
        "security/ir.model.access.csv",
        "data/production_stage_data.xml",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "wizards/print_job_reprint_views.xml",
        "views/production_printer_views.xml",
        "views/print_job_views.xml",
        "views/production_stage_views.xml",
        "views/sale_order_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/job_ticket_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "job_ticket_print/static/src/scan/*",
        ],
        "web.assets_tests": [
            "job_ticket_print/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": True,
}
