// The signer's time zone, recorded with the signature (the server falls back to the app's).
document.querySelectorAll("input[data-timezone]").forEach(function (input) {
  try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep empty */ }
});
