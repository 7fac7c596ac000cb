import { registry } from "@web/core/registry";

// A manager opens the receivables dashboard, sees the panels and drills down
// from a top overdue customer to the invoices behind the figure.
registry.category("web_tour.tours").add("dso_dashboard_tour", {
    url: "/odoo/action-dso_reports.action_dso_dashboard",
    steps: () => [
        {
            content: "The DSO trend panel is there",
            trigger: ".o-dashboard-action-header:contains('DSO trend (monthly)')",
        },
        {
            content: "Its graph is drawn",
            trigger: ".o-dashboard-action .o_graph_renderer canvas",
        },
        {
            content: "The before / after pivot is there",
            trigger: ".o-dashboard-action .o_pivot:contains('After go-live')",
        },
        {
            content: "Top overdue customers are listed",
            trigger: ".o-dashboard-action .o_list_renderer .o_data_row td[name=partner_id]:contains('Harbor Books')",
        },
        {
            content: "Drill down to the invoices behind the figure",
            trigger:
                ".o-dashboard-action .o_data_row:contains('Harbor Books') button[name=action_open_invoices]",
            run: "click",
        },
        {
            content: "The open invoices of that day are listed",
            trigger: ".o_breadcrumb:contains('Open on')",
        },
        {
            content: "with Harbor Books' invoices",
            trigger: ".o_list_renderer .o_data_row:contains('Harbor Books')",
        },
    ],
});
