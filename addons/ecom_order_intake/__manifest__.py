{
    "name": "Web Shop Order Intake",
    "summary": "Signed XML orders from the web shop (native, UBL 2.1/PEPPOL, cXML) "
    "become confirmed sale orders; problems go to a review queue",
    "version": "18.0.1.2.0",
    "category": "Sales",
    "license": "LGPL-3",
    "author": "O2C developers",
    "website": "https://example.com/o2c",
    "depends": ["o2c_base", "sale_management", "account", "mail", "queue_job"],
    "external_dependencies": {"python": ["lxml"]},
    "data": [
        "security/intake_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_data.xml",
        "views/order_intake_views.xml",
        "views/shop_views.xml",
        "views/sale_order_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/shop_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "ecom_order_intake/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
