// @ts-check
/** To the log-in page, which brings the person back to this page (query included) once logged in. */
export function toLogin() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}
