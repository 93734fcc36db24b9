// Optional search on top of a site that reads without JavaScript.
// A big dossier's index comes in shards: data-bundles lists the extra ones to merge.
window.addEventListener("DOMContentLoaded", function () {
  if (typeof PagefindUI === "undefined") return;
  var element = document.getElementById("search");
  var bundles = (element.getAttribute("data-bundles") || "").split(" ").filter(Boolean);
  // The extra bundles are listed relative to the first one (pagefind/). Pagefind fetches a merged
  // bundle's files relative to the page and guesses its result URLs from its path ("../x/" gives
  // "/../page.html"), so hand it absolute paths and the site's root, as for the first bundle.
  var script = document.querySelector('script[src$="pagefind/pagefind-ui.js"]');
  var first = new URL(".", script ? script.src : new URL("pagefind/", document.baseURI));
  var root = new URL("..", first).pathname;
  new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    mergeIndex: bundles.map(function (path) {
      return { bundlePath: new URL(path, first).pathname, baseUrl: root };
    }),
  });
});
