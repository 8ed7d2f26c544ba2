// Browser notifications for jobs that end while the page is hidden (opt-in, per card), and
// the count of such jobs in the tab's title until the page is seen again.

// Jobs that ended while the page was hidden, shown in the tab title until it is seen again.
const unseen = { count: 0, title: null };
export function markUnseen() {
  if (unseen.title === null) unseen.title = document.title;
  unseen.count += 1;
  document.title = `(${unseen.count}) ${unseen.title}`;
}
if (typeof document !== "undefined") {
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && unseen.title !== null) {
      document.title = unseen.title;
      unseen.count = 0;
      unseen.title = null;
    }
  });
}

/** A notification for a watched job that ended while the page was hidden (opt-in). */
export function notifyEnded(model, state) {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const title = `${model.get("title") || "ArcGIS job"}: ${state.label}`;
  const body = model.get("error") || model.get("progress_message") || model.get("job_id") || "";
  try {
    new Notification(title, { body, tag: `gpjob-${model.get("job_id")}` });
  } catch (_) { /* some browsers only notify from a service worker */ }
}
