// jixiao: small progressive enhancement, no framework and nothing fetched from elsewhere.
// 1. Forms with data-live post their fields (unsaved) to the preview URL as the user types and swap the
//    returned fragment into data-target, so the score and findings follow the input. The form carries
//    aria-busy while an edit is waiting for its answer, so assistive tools (and tests) know when the
//    panel shows the latest input.
// 2. Buttons with data-confirm ask before submitting.
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function live(form) {
    var url = form.getAttribute("data-live");
    var target = document.querySelector(form.getAttribute("data-target"));
    var status = form.querySelector("[data-live-status]");
    if (!url || !target) return;
    var seq = 0;
    var timer = null;
    function settle() {
      if (timer === null) form.removeAttribute("aria-busy");
    }
    function refresh() {
      var mine = ++seq;
      var body = new URLSearchParams(new FormData(form));
      target.classList.add("stale");
      if (status) status.textContent = "正在重新计算…";
      fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf(), "X-Requested-With": "fetch" }
      }).then(function (resp) {
        return resp.text().then(function (html) { return { ok: resp.ok, html: html }; });
      }).then(function (res) {
        if (mine !== seq) return;  // a newer request is on its way; drop this answer
        target.classList.remove("stale");
        settle();
        if (res.ok) {
          target.innerHTML = res.html;
          if (status) status.textContent = "得分已按当前输入更新（尚未保存）";
          target.dispatchEvent(new CustomEvent("jixiao:live", { bubbles: true }));
        } else if (status) {
          status.textContent = "无法更新得分，请检查输入";
        }
      }).catch(function () {
        if (mine !== seq) return;
        target.classList.remove("stale");
        settle();
        if (status) status.textContent = "网络错误，得分未更新";
      });
    }
    function later() {
      clearTimeout(timer);
      form.setAttribute("aria-busy", "true");
      timer = setTimeout(function () { timer = null; refresh(); }, 350);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-live]").forEach(function (f) {
      if (!f.querySelector("fieldset[disabled]")) live(f);
    });
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (e) {
        if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  });
})();
