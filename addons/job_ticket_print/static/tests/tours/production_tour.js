import { registry } from "@web/core/registry";

// A production user moves one order to Done on the board, then scans the ticket
// of another one and moves it to Done from the scan page.
registry.category("web_tour.tours").add("job_ticket_production_tour", {
    steps: () => [
        {
            content: "The order waits in Received",
            trigger: ".o_kanban_group:contains('Received') .o_kanban_record:contains('TOURBOARD1')",
        },
        {
            content: "Next stage",
            trigger: ".o_kanban_record:contains('TOURBOARD1') button.o_production_next",
            run: "click",
        },
        {
            content: "It is in production",
            trigger: ".o_kanban_group:contains('In production') .o_kanban_record:contains('TOURBOARD1')",
        },
        {
            content: "Next stage again",
            trigger: ".o_kanban_record:contains('TOURBOARD1') button.o_production_next",
            run: "click",
        },
        {
            content: "Done: it leaves the board of unfinished orders",
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains('TOURBOARD1')))",
        },
        {
            content: "Open the scan page",
            trigger: ".o_menu_sections a:contains('Scan'), .o_menu_sections button:contains('Scan')",
            run: "click",
        },
        {
            content: "A hand scanner types the barcode",
            trigger: "input.o_production_scan_input",
            run: "edit TOURSCAN1",
        },
        {
            content: "... and Enter",
            trigger: "input.o_production_scan_input",
            run: "press Enter",
        },
        {
            content: "The order shows, move it on",
            trigger: ".o_production_scan_order:contains('TOURSCAN1') button.o_production_scan_advance:contains('In production')",
            run: "click",
        },
        {
            content: "It moved; one more tap",
            trigger: ".o_production_scan_order:contains('TOURSCAN1') button.o_production_scan_advance:contains('Done')",
            run: "click",
        },
        {
            content: "Done",
            trigger: ".o_production_scan_moved:contains('TOURSCAN1 moved to Done')",
        },
        {
            content: "The order is in Done",
            trigger: ".o_production_scan_stage:contains('Done')",
        },
    ],
});

// The ticket's QR code opened by a phone: the scan page with the order, one tap.
registry.category("web_tour.tours").add("job_ticket_qr_tour", {
    steps: () => [
        {
            content: "The scanned order shows",
            trigger: ".o_production_scan_order:contains('TOURQR1') button.o_production_scan_advance:contains('In production')",
            run: "click",
        },
        {
            content: "Moved",
            trigger: ".o_production_scan_moved:contains('TOURQR1 moved to In production')",
        },
    ],
});
