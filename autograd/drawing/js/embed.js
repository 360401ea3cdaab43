/* graphgrad explorer, its notebook embedding: the script of an explorer's second notebook output
   (page.py fills each at-sign-wrapped name below with a JSON string). Jupyter runs an
   output's script with `element` (JupyterLab, Notebook 7, nbconvert; the classic notebook: a
   jQuery object); elsewhere it is a <script> element's, whose parent is the output. It puts the
   page in a sandboxed frame and hides the picture output just before it; the output is not on
   the page yet while its script runs in JupyterLab, so the picture is looked for until it is. */
(function (element) {
  var host = element && element.jquery ? element[0] : element;
  if (!host && document.currentScript) host = document.currentScript.parentNode;
  if (!host) return;
  var frame = document.createElement("iframe");
  frame.className = "graphgrad-explorer";
  frame.title = @TITLE@;
  frame.setAttribute("sandbox", "allow-scripts");
  frame.style.cssText = @STYLE@;
  frame.srcdoc = @PAGE@;
  host.appendChild(frame);
  var tail = @TAIL@, tries = 0;
  (function hidePicture() {
    for (var node = host, up = 0; node && up < 4; node = node.parentElement, up++) {
      var before = node.previousElementSibling, images = before ? before.querySelectorAll("img") : [];
      for (var i = 0; i < images.length; i++) {
        var src = images[i].getAttribute("src") || "";
        if (src.slice(-tail.length) === tail) { before.style.display = "none"; return; }
      }
    }
    if (++tries < 200) setTimeout(hidePicture, 50);
  })();
})(typeof element === "undefined" ? null : element);
