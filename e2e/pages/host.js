// The host page's own module script (allowed by `script-src 'self'`): keeps every CSP violation.
globalThis.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  globalThis.cspViolations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample });
});
