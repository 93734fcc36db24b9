// Optional search on top of a site that reads without JavaScript.
window.addEventListener("DOMContentLoaded", function () {
  if (typeof PagefindUI === "undefined") return;
  // The index stores root-relative URLs ("/claims/..."); search.html sits at the site's root,
  // so its folder is the base: results then work under any sub-path, not only at "/".
  var base = new URL("./", document.baseURI).pathname;
  new PagefindUI({ element: "#search", baseUrl: base, showSubResults: true, showImages: false });
});
