import { Component, onMounted, useRef, useState } from "@odoo/owl";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { router } from "@web/core/browser/router";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { orderCodeFromScan } from "./scan_code";

/**
 * The scan page of production: scan a job ticket (hand scanner = keyboard, or
 * the phone camera), see the order, move it to the next stage in one tap.
 */
export class ProductionScan extends Component {
    static template = "job_ticket_print.ProductionScan";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.input = useRef("scanInput");
        this.cameraSupported = isBarcodeScannerSupported();
        this.state = useState({ code: "", order: null, error: "", moved: "" });
        onMounted(async () => {
            this.input.el?.focus();
            const code = router.current.code || this.props.action.context?.code;
            if (code) {
                await this.lookUp(String(code));
            }
        });
    }

    async lookUp(scanned) {
        const code = orderCodeFromScan(scanned);
        this.state.moved = "";
        const result = await this.orm.call("sale.order", "production_scan", [code]);
        this.state.code = "";
        if (result.error) {
            this.state.order = null;
            this.state.error = result.error;
        } else {
            this.state.order = result;
            this.state.error = "";
        }
        this.input.el?.focus();
    }

    async onKeydown(ev) {
        if (ev.key === "Enter" && this.state.code.trim()) {
            ev.preventDefault();
            await this.lookUp(this.state.code);
        }
    }

    async onCamera() {
        let scanned;
        try {
            scanned = await scanBarcode(this.env);
        } catch (error) {
            this.notification.add(error.message || String(error), { type: "danger" });
            return;
        }
        if (scanned) {
            await this.lookUp(scanned);
        }
    }

    async onAdvance() {
        const order = this.state.order;
        const next = order.next_stage;
        this.state.order = await this.orm.call("sale.order", "production_scan_advance", [
            [order.id],
        ]);
        this.state.moved = _t("%(order)s moved to %(stage)s", {
            order: order.name,
            stage: next,
        });
        this.input.el?.focus();
    }

    onOpen() {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "sale.order",
            res_id: this.state.order.id,
            views: [[false, "form"]],
        });
    }
}

registry.category("actions").add("job_ticket_print.scan", ProductionScan);
