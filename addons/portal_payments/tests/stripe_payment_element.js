/*
 * Payment Element stand-in for localstripe's Stripe.js (test peer, see
 * stripe_server.py). Implements the part of Stripe.js that Odoo 18's
 * payment_stripe uses: stripe.elements({mode, ...}), elements.create('payment'),
 * element.mount/on, elements.submit/update, stripe.confirmPayment.
 * The element is plain inputs (no iframe) so browser tours can type in it.
 */
(function () {
  const baseStripe = window.Stripe;

  class O2cPaymentElement {
    constructor(elements) {
      this.elements = elements;
      this.listeners = {};
      this.container = null;
    }
    mount(container) {
      if (typeof container === 'string') {
        container = document.querySelector(container);
      }
      this.container = container;
      if (this.elements.type() === 'us_bank_account') {
        container.innerHTML = `
        <div class="o2c-stripe-payment-element">
          <input class="form-control mb-1" name="o2c_routing_number" placeholder="Routing number" autocomplete="off"/>
          <input class="form-control" name="o2c_account_number" placeholder="Account number" autocomplete="off"/>
        </div>`;
        (this.listeners.ready || []).forEach(cb => cb({}));
        return;
      }
      container.innerHTML = `
        <div class="o2c-stripe-payment-element">
          <input class="form-control mb-1" name="o2c_card_number" placeholder="Card number" autocomplete="off"/>
          <div class="d-flex gap-1">
            <input class="form-control" name="o2c_card_expiry" placeholder="MM / YY" autocomplete="off"/>
            <input class="form-control" name="o2c_card_cvc" placeholder="CVC" autocomplete="off"/>
          </div>
        </div>`;
      (this.listeners.ready || []).forEach(cb => cb({}));
    }
    on(event, handler) {
      (this.listeners[event] = this.listeners[event] || []).push(handler);
    }
    update() {}
    unmount() { if (this.container) { this.container.innerHTML = ''; } }
    value() {
      const q = name => this.container.querySelector(`input[name="${name}"]`).value.trim();
      if (this.elements.type() === 'us_bank_account') {
        return {
          type: 'us_bank_account',
          us_bank_account: {
            routing_number: q('o2c_routing_number'),
            account_number: q('o2c_account_number'),
            account_holder_type: 'company',
          },
        };
      }
      const [month, year] = q('o2c_card_expiry').split('/').map(s => s.trim());
      return {
        type: 'card',
        card: {
          number: q('o2c_card_number').replace(/\s/g, ''),
          exp_month: month,
          exp_year: year,
          cvc: q('o2c_card_cvc'),
        },
      };
    }
  }

  class O2cElements {
    constructor(options) {
      this.options = options || {};
      this.element = null;
    }
    create(type, options) {
      this.element = new O2cPaymentElement(this);
      return this.element;
    }
    getElement() { return this.element; }
    type() { return (this.options.paymentMethodTypes || ['card'])[0]; }
    update(options) { Object.assign(this.options, options || {}); }
    async submit() {
      const data = this.element && this.element.value();
      const incomplete = !data || (data.type === 'card'
        ? data.card.number.length !== 16 || !data.card.exp_month || !data.card.exp_year
          || data.card.cvc.length !== 3
        : data.us_bank_account.routing_number.length !== 9
          || !data.us_bank_account.account_number);
      if (incomplete) {
        return {error: {type: 'validation_error', message: 'Your payment details are incomplete.'}};
      }
      return {};
    }
  }

  window.Stripe = function (apiKey, options) {
    const stripe = baseStripe(apiKey, options);
    stripe.elements = options => new O2cElements(options);
    stripe.confirmPayment = async ({elements, clientSecret, confirmParams}) => {
      const intentId = clientSecret.match(/^(pi_\w+)_secret_/)[1];
      const response = await fetch(
        `${LOCALSTRIPE_BASE_API}/_config/o2c/payment_intents/${intentId}/confirm`, {
          method: 'POST',
          headers: {'Content-Type': 'text/plain'},
          body: JSON.stringify({
            client_secret: clientSecret,
            payment_method_data: elements.element.value(),
          }),
        });
      const body = await response.json().catch(() => ({}));
      if (response.status !== 200 || body.error) {
        return {error: body.error || {message: 'Payment failed'}};
      }
      const url = new URL(confirmParams.return_url, window.location.href);
      url.searchParams.set('payment_intent', intentId);
      url.searchParams.set('payment_intent_client_secret', clientSecret);
      url.searchParams.set('redirect_status', body.status === 'succeeded' ? 'succeeded' : 'processing');
      window.location.assign(url.toString());
      return {};
    };
    return stripe;
  };
})();
