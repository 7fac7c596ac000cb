{
    "name": "Order-to-Cash Base",
    "summary": "Customer billing facts shared by the order-to-cash addons, "
    "and the demo company",
    "version": "18.0.1.1.0",
    "category": "Sales",
    "license": "LGPL-3",
    "author": "O2C developers",
    "website": "https://example.com/o2c",
    "depends": ["sale_management", "account"],
    "data": [
        "views/res_partner_views.xml",
    ],
    "demo": [
        "demo/company_demo.xml",
        "demo/product_demo.xml",
        "demo/pricelist_demo.xml",
        "demo/partner_demo.xml",
        "demo/user_demo.xml",
    ],
    "installable": True,
}
