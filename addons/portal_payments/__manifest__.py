{
    "name": "Portal Payments",
    "summary": "Customers see their account in the portal and pay one or many "
    "invoices by card through Stripe; hardened Stripe webhooks",
    "version": "18.0.1.0.0",
    "category": "Accounting/Payment",
    "license": "LGPL-3",
    "author": "O2C developers",
    "website": "https://example.com/o2c",
    "depends": [
        "o2c_base",
        "account_payment",
        "payment_stripe",
        "payment_custom",
        "portal",
        "queue_job",
    ],
    "external_dependencies": {"python": ["requests", "stripe"]},
    "data": [
        "security/portal_payments_security.xml",
        "security/ir.model.access.csv",
        "data/payment_method_data.xml",
        "data/queue_job_data.xml",
        "data/reminder_data.xml",
        "report/statement_report.xml",
        "views/portal_templates.xml",
        "views/payment_templates.xml",
        "views/payment_provider_views.xml",
        "views/res_partner_views.xml",
        "views/stripe_event_views.xml",
        "views/reminder_views.xml",
        "views/account_move_views.xml",
    ],
    "demo": ["demo/portal_payments_demo.xml"],
    "assets": {
        "web.assets_frontend": [
            "portal_payments/static/src/js/post_processing.js",
        ],
        "web.assets_tests": [
            "portal_payments/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
