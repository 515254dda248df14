/*
 * The booking's payment form (<form data-payment data-key data-secret data-lang
 * data-return-url [data-card-url] data-csrf data-msg-failed data-msg-offline>).
 *
 * With Stripe.js: the Payment Element, and stripe.confirmPayment, which comes back
 * to data-return-url; the booking page there confirms the booking (and so does the
 * webhook, whichever is first).
 *
 * With localstripe's Stripe.js mock (the demo and the tests): its card fields; the
 * card is tokenised in the browser and sent to data-card-url, where the portal asks
 * localstripe to confirm (the mock cannot), then 3-D Secure runs in the page if the
 * card asks for it.
 *
 * CSP forbids inline script: everything comes from data attributes.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-payment]");
  if (!form || typeof window.Stripe !== "function") {
    return; // the provider's script did not load: the page says to reload
  }
  var data = form.dataset;
  var stripe = window.Stripe(data.key);
  var button = form.querySelector("[data-pay-button]");
  var mount = form.querySelector("[data-payment-element]");
  var errorBox = form.querySelector("[data-payment-error]");

  function showError(message) {
    errorBox.textContent = message || data.msgFailed;
    errorBox.hidden = false;
    button.disabled = false;
  }

  function busy() {
    errorBox.hidden = true;
    button.disabled = true;
  }

  function done() {
    window.location.assign(data.returnUrl);
  }

  function withPaymentElement() {
    var elements = stripe.elements({ clientSecret: data.secret, locale: data.lang });
    elements.create("payment").mount(mount);
    button.disabled = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      busy();
      stripe
        .confirmPayment({ elements: elements, confirmParams: { return_url: data.returnUrl } })
        .then(function (result) {
          // Only reached on an error: success leaves for the return page.
          showError(result.error && result.error.message);
        }, function () { showError(data.msgOffline); });
    });
  }

  function confirmOnServer(cardId) {
    return fetch(data.cardUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrf },
      body: JSON.stringify({ card: cardId })
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      });
    });
  }

  function withLocalstripeMock() {
    var card = stripe.elements().create("card");
    card.mount(mount);
    button.disabled = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      busy();
      stripe.createToken(card).then(function (result) {
        if (result.error || !result.token) {
          showError(result.error && result.error.message);
          return null;
        }
        return confirmOnServer(result.token.card.id);
      }).then(function (answer) {
        if (!answer) {
          return;
        }
        if (!answer.ok) {
          showError(answer.body.error);
        } else if (answer.body.status === "requires_action") {
          stripe.confirmCardPayment(data.secret).then(function (result) {
            if (result.error) {
              showError();
            } else {
              done();
            }
          });
        } else if (answer.body.status === "succeeded" || answer.body.status === "processing") {
          done();
        } else {
          showError();
        }
      }).catch(function () { showError(data.msgOffline); });
    });
  }

  if (typeof stripe.confirmPayment === "function") {
    withPaymentElement();
  } else if (data.cardUrl) {
    withLocalstripeMock();
  }
})();
