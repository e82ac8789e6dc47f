// Search snippets when the site is opened from a file (a USB stick, no server).
// Sphinx's search fetches each page it found to show a few lines of it; browsers refuse to
// fetch file:// pages ("Failed to fetch"), so the results had titles only. Here those requests
// are answered from _static/migdata_search_texts.js, the pages' text written when the site was
// built (loaded only when search asks for it). Over http(s) nothing changes.
(() => {
  if (window.location.protocol !== "file:" || !window.fetch) return;
  const original = window.fetch.bind(window);
  const root = () => new URL(document.documentElement.dataset.content_root || "./",
                             window.location.href);
  let texts = null;
  const load = () => texts || (texts = new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = new URL("_static/migdata_search_texts.js", root()).href;
    script.onload = () => resolve(window.MIGDATA_SEARCH_TEXTS || {});
    script.onerror = () => resolve({});
    document.head.appendChild(script);
  }));
  window.fetch = (input, init) => {
    const target = new URL(typeof input === "string" ? input : input.url, window.location.href);
    const base = root();
    if (target.protocol === "file:" && target.pathname.startsWith(base.pathname)
        && target.pathname.endsWith(".html")) {
      const key = decodeURIComponent(target.pathname.slice(base.pathname.length));
      return load().then((pages) => new Response(pages[key] || "",
        {status: 200, headers: {"Content-Type": "text/html"}}));
    }
    return original(input, init);
  };
})();
