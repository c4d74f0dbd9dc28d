/* A monitor's signing key in the browser, and signing a finding with it.
 *
 * The keys page (templates/findings/keys.html, #this-browser) makes an Ed25519 key pair with WebCrypto, its private
 * key NOT extractable, or imports the PKCS #8 PEM file of `trucewatch findings keys generate` as a non-extractable
 * key; it keeps the key in IndexedDB for this site (one record per user name) and registers only the public key: the
 * page's own register form is filled with the key's name and the base64 of its 32 raw bytes, and sent.
 *
 * The finding page (templates/findings/finding.html, #sign-form) reads the key from IndexedDB, signs
 * "trucewatch finding\n" + content hash + "\n" (casework.findings.signed_message) and sends the form with the key's
 * name and the signature (base64): never the private key, which nothing here can read back out.
 *
 * Where the browser has no Ed25519 in WebCrypto (or no WebCrypto: a page not served over HTTPS), the pages say so and
 * the command-line way stays: `trucewatch findings sign ID --key FILE --print`, and the signature pasted. No inline
 * script, no HTML built from data: messages are set with textContent.
 */
(function () {
  "use strict";

  var DB_NAME = "trucewatch-signing";
  var STORE = "keys"; // {user, name, privateKey: CryptoKey (not extractable), publicKey: base64 of 32 bytes, made}
  var ALGORITHM = { name: "Ed25519" };
  var PREFIX = "trucewatch finding\n";

  // --- IndexedDB ---------------------------------------------------------------------------------------------

  function openStore() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "user" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function inStore(mode, work) {
    return openStore().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function heldKey(user) { return inStore("readonly", function (s) { return s.get(user); }); }
  function keep(record) { return inStore("readwrite", function (s) { return s.put(record); }); }

  // --- bytes -------------------------------------------------------------------------------------------------

  function base64(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text);
  }

  function unbase64(text) {
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function unbase64url(text) {
    var plain = text.replace(/-/g, "+").replace(/_/g, "/");
    return unbase64(plain + "===".slice((plain.length + 3) % 4));
  }

  // --- keys --------------------------------------------------------------------------------------------------

  async function ed25519Works() {
    if (!window.crypto || !crypto.subtle || !window.indexedDB) { return false; }
    try {
      await crypto.subtle.generateKey(ALGORITHM, false, ["sign", "verify"]);
      return true;
    } catch (e) {
      return false;
    }
  }

  async function makeKey(user, name) {
    var pair = await crypto.subtle.generateKey(ALGORITHM, false, ["sign", "verify"]);
    var raw = await crypto.subtle.exportKey("raw", pair.publicKey); // the public half only: the private one cannot be
    return { user: user, name: name, privateKey: pair.privateKey, publicKey: base64(raw), made: new Date().toISOString() };
  }

  function pemBody(text) {
    var found = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(text);
    if (!found) { throw new Error("the file is not a PEM private key (-----BEGIN PRIVATE KEY-----)"); }
    return unbase64(found[1].replace(/\s+/g, ""));
  }

  // The public half of a PKCS #8 key: WebCrypto gives it only from a key that may be exported, so the file is
  // imported twice; the exportable copy is dropped, and the key kept is one that cannot be exported.
  async function importPem(user, name, text) {
    var der = pemBody(text);
    try {
      var readable = await crypto.subtle.importKey("pkcs8", der, ALGORITHM, true, ["sign"]);
      var jwk = await crypto.subtle.exportKey("jwk", readable);
      var kept = await crypto.subtle.importKey("pkcs8", der, ALGORITHM, false, ["sign"]);
      var publicKey = base64(unbase64url(jwk.x));
      jwk.d = "";
      return { user: user, name: name, privateKey: kept, publicKey: publicKey, made: new Date().toISOString() };
    } catch (e) {
      throw new Error("the file holds no Ed25519 private key this browser can use (" + e.message + ")");
    } finally {
      der.fill(0);
    }
  }

  // --- the keys page -----------------------------------------------------------------------------------------

  async function keysPage(section) {
    var user = section.dataset.user;
    var browserKey = document.getElementById("browser-key");
    var status = document.getElementById("key-status");
    var form = document.getElementById("register-form");
    var say = function (text) { status.textContent = text; };

    if (!(await ed25519Works())) {
      document.getElementById("no-ed25519").hidden = false;
      browserKey.textContent = "This browser cannot keep a signing key: use the command line (below).";
      return;
    }
    document.getElementById("key-ways").hidden = false;

    function registeredAs(publicKey) {
      var rows = document.querySelectorAll("#registered-keys tr[data-public-key]");
      for (var i = 0; i < rows.length; i++) {
        if (rows[i].dataset.publicKey === publicKey) { return rows[i]; }
      }
      return null;
    }

    async function describe() {
      var held = await heldKey(user);
      if (!held) {
        browserKey.textContent = "This browser holds no signing key of yours.";
      } else if (held.publicKey === section.dataset.activePublic) {
        browserKey.textContent = "This browser holds your active key " + held.name + ": you can sign findings here.";
      } else {
        browserKey.textContent = "This browser holds a key named " + held.name + " that is not your active registered " +
          "key: it cannot sign. Make or import another.";
      }
    }

    function register(record) {
      form.elements.name.value = record.name;
      form.elements.public_key.value = record.publicKey;
      say("Registering the public key of " + record.name + "\u2026");
      form.submit();
    }

    document.getElementById("make-key").addEventListener("click", async function () {
      var input = document.getElementById("new-key-name");
      var name = input.value.trim() || input.placeholder;
      try {
        var record = await makeKey(user, name);
        await keep(record);
        register(record);
      } catch (e) {
        say("No key was made: " + e.message);
      }
    });

    document.getElementById("import-key").addEventListener("click", async function () {
      var file = document.getElementById("key-file").files[0];
      if (!file) { say("Choose the key file first."); return; }
      try {
        var record = await importPem(user, "", await file.text());
        var row = registeredAs(record.publicKey);
        record.name = row ? row.dataset.keyName : document.getElementById("import-key-name").value.trim();
        if (!record.name) { say("Its public key is not registered yet: give the key a name."); return; }
        await keep(record);
        if (row) {
          say("This browser now keeps key " + record.name + " (registered already).");
          await describe();
        } else {
          register(record);
        }
      } catch (e) {
        say("The key file was not used: " + e.message);
      }
    });

    await describe();
  }

  // --- the finding page ----------------------------------------------------------------------------------------

  async function signForm(form) {
    var status = document.getElementById("sign-status");
    var button = document.getElementById("sign-button");
    var say = function (text) { status.textContent = text; };
    var works = await ed25519Works();
    var held = works ? await heldKey(form.dataset.user) : null;

    function problem() {
      if (!works) { return "This browser cannot sign with Ed25519: sign on your own machine and paste the signature below."; }
      if (!form.dataset.key) { return "You have no registered signing key: make one on your keys page."; }
      if (!held) { return "This browser holds no signing key of yours: make or import one on your keys page, or paste a signature below."; }
      if (held.name !== form.dataset.key) {
        return "The key in this browser (" + held.name + ") is not your active key (" + form.dataset.key + ").";
      }
      return "";
    }

    say(problem() || "Key in this browser: " + held.name);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var wrong = problem();
      if (wrong) { say(wrong); return; }
      button.disabled = true;
      try {
        var message = new TextEncoder().encode(PREFIX + form.dataset.hash + "\n");
        var signature = await crypto.subtle.sign(ALGORITHM, held.privateKey, message);
        form.elements.key_name.value = held.name;
        form.elements.signature.value = base64(signature);
        say("Signed with " + held.name + "; sending the signature\u2026");
        form.submit(); // submit() fires no submit event: this handler does not run again
      } catch (e) {
        say("Not signed: " + e.message);
        button.disabled = false;
      }
    });
  }

  var keys = document.getElementById("this-browser");
  if (keys) { keysPage(keys); }
  var sign = document.getElementById("sign-form");
  if (sign) { signForm(sign); }
})();
