// Optional search on top of a site that reads without JavaScript.
// A big dossier's index comes in shards: data-bundles lists the extra ones to merge.
window.addEventListener("DOMContentLoaded", function () {
  if (typeof PagefindUI === "undefined") return;
  var element = document.getElementById("search");
  var bundles = (element.getAttribute("data-bundles") || "").split(" ").filter(Boolean);
  new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    mergeIndex: bundles.map(function (path) { return { bundlePath: path }; }),
  });
});
