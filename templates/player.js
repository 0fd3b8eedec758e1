/* podfeed: small progressive enhancements. Without this file every link still works:
   chapter and transcript times open the audio file at that moment (#t= media fragment). */
(function () {
  "use strict";
  var audio = document.querySelector("audio[data-player]");

  function seek(seconds, play) {
    function go() {
      audio.currentTime = seconds;
      markChapter();
      if (play && audio.paused) {
        var playing = audio.play();
        if (playing && playing.catch) playing.catch(function () {});
      }
    }
    if (audio.readyState >= 1) go();
    else audio.addEventListener("loadedmetadata", go, { once: true });
  }

  var chapterLinks = Array.prototype.slice.call(document.querySelectorAll(".chapters a[data-start]"));

  /* Mark the chapter playing now, for sight and for screen readers. */
  function markChapter() {
    var now = audio.currentTime, current = null;
    chapterLinks.forEach(function (link) {
      if (parseFloat(link.getAttribute("data-start")) <= now + 0.05) current = link;
    });
    chapterLinks.forEach(function (link) {
      if (link === current) link.setAttribute("aria-current", "time");
      else link.removeAttribute("aria-current");
    });
  }

  if (audio) {
    document.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
          event.shiftKey || event.altKey) return;
      var link = event.target.closest && event.target.closest("a[data-start]");
      if (!link) return;
      event.preventDefault();
      seek(parseFloat(link.getAttribute("data-start")), true);
    });

    audio.addEventListener("timeupdate", markChapter);
    audio.addEventListener("seeked", markChapter);

    /* A shared link like episode/#t=75 starts the player there. */
    var start = /^#t=(?:npt:)?(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (start) seek(parseFloat(start[1]), false);
  }

  /* Copy the feed address; the button stays hidden for browsers without this script. */
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var status = button.parentNode.querySelector("[role=status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      function done(message) { if (status) status.textContent = message; }
      function fallback() {
        var field = document.createElement("textarea");
        field.value = text;
        field.setAttribute("readonly", "");
        field.style.position = "absolute";
        field.style.left = "-9999px";
        document.body.appendChild(field);
        field.select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
        document.body.removeChild(field);
        button.focus();
        done(copied ? "Copied" : "Select the address and copy it");
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done("Copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
