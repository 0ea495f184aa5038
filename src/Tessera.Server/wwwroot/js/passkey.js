// The browser side of Identity's passkey ceremonies (WebAuthn). A button with data-passkey="get" or "create" inside a
// form: the form's data-options URL gives the options (the form, with its anti-forgery token, is posted to it), the
// browser asks the authenticator, and the result goes back in the form's "Credential" field. No inline script: the
// pages' content security policy allows scripts from this site only.
(function () {
    'use strict';

    function toBase64Url(buffer) {
        const bytes = new Uint8Array(buffer);
        let text = '';
        for (const b of bytes) { text += String.fromCharCode(b); }
        return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    }

    function fromBase64Url(text) {
        const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
        const binary = atob(base64);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
        return bytes.buffer;
    }

    // Browsers without parse*FromJSON / toJSON (WebAuthn Level 3) get the same conversion by hand.
    function creationOptions(json) {
        if (PublicKeyCredential.parseCreationOptionsFromJSON) { return PublicKeyCredential.parseCreationOptionsFromJSON(json); }
        const options = Object.assign({}, json, {
            challenge: fromBase64Url(json.challenge),
            user: Object.assign({}, json.user, { id: fromBase64Url(json.user.id) }),
        });
        options.excludeCredentials = (json.excludeCredentials || []).map(c => Object.assign({}, c, { id: fromBase64Url(c.id) }));
        return options;
    }

    function requestOptions(json) {
        if (PublicKeyCredential.parseRequestOptionsFromJSON) { return PublicKeyCredential.parseRequestOptionsFromJSON(json); }
        const options = Object.assign({}, json, { challenge: fromBase64Url(json.challenge) });
        options.allowCredentials = (json.allowCredentials || []).map(c => Object.assign({}, c, { id: fromBase64Url(c.id) }));
        return options;
    }

    function credentialJson(credential) {
        if (typeof credential.toJSON === 'function') { return credential.toJSON(); }
        const response = { clientDataJSON: toBase64Url(credential.response.clientDataJSON) };
        if (credential.response.attestationObject) {
            response.attestationObject = toBase64Url(credential.response.attestationObject);
            response.transports = credential.response.getTransports ? credential.response.getTransports() : [];
        } else {
            response.authenticatorData = toBase64Url(credential.response.authenticatorData);
            response.signature = toBase64Url(credential.response.signature);
            response.userHandle = credential.response.userHandle ? toBase64Url(credential.response.userHandle) : null;
        }
        return {
            id: credential.id,
            rawId: toBase64Url(credential.rawId),
            type: credential.type,
            authenticatorAttachment: credential.authenticatorAttachment,
            clientExtensionResults: credential.getClientExtensionResults(),
            response: response,
        };
    }

    async function run(button) {
        const form = button.form;
        const error = form.querySelector('[data-passkey-error]');
        const show = message => { if (error) { error.textContent = message; error.hidden = false; } };
        if (!window.PublicKeyCredential || !navigator.credentials) {
            show('This browser cannot use passkeys. Use another browser, or sign in with your password.');
            return;
        }

        button.disabled = true;
        try {
            const answer = await fetch(form.dataset.options, { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
            if (answer.status === 401) {
                const body = await answer.json();
                window.location.assign(body.signIn);
                return;
            }
            if (!answer.ok) {
                const body = await answer.json().catch(() => ({}));
                show(body.error_description || 'The passkey could not be started. Reload the page and try again.');
                return;
            }
            const options = await answer.json();
            const credential = button.dataset.passkey === 'create'
                ? await navigator.credentials.create({ publicKey: creationOptions(options) })
                : await navigator.credentials.get({ publicKey: requestOptions(options) });
            form.elements.Credential.value = JSON.stringify(credentialJson(credential));
            form.submit();
        } catch (failure) {
            show(failure && failure.name === 'NotAllowedError'
                ? 'The passkey request was cancelled or timed out. Try again when you are ready.'
                : 'The passkey could not be used: ' + (failure && failure.message ? failure.message : 'unknown error') + '.');
        } finally {
            button.disabled = false;
        }
    }

    document.addEventListener('click', event => {
        const button = event.target.closest('button[data-passkey]');
        if (button && button.form) {
            event.preventDefault();
            run(button);
        }
    });
}());
