/* 稳评门户的渐进增强：没有脚本时每个表单照常提交整页；有脚本时
   - 带 data-swap 的表单用 fetch 提交，只替换页面中同 id 的部分；
   - 带 data-precheck 的报告表单在输入停顿后自动预审（不保存）；
   - 报告各部分的「添加一行」「删除」同样用 fetch 提交并就地替换该部分，焦点落到新行。
   CSRF 令牌取自页面 meta（它不是访问令牌；访问令牌只在服务器端）。 */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function send(url, form, body) {
    return fetch(url, {
      method: "POST",
      body: body || new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "X-Requested-With": "fetch" }
    });
  }

  function swap(html, selectors) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    selectors.forEach(function (selector) {
      var fresh = doc.querySelector(selector.trim());
      var old = document.querySelector(selector.trim());
      if (fresh && old) { old.replaceWith(fresh); }
    });
  }

  function focusAfter(submitter) {
    if (!submitter) { return; }
    if (submitter.name === "add") {
      var list = document.querySelector('[data-rows="' + submitter.value + '"]');
      var rows = list ? list.querySelectorAll(":scope > fieldset.row") : [];
      var first = rows.length ? rows[rows.length - 1].querySelector("input, select, textarea") : null;
      if (first) { first.focus(); }
    } else if (submitter.name === "remove") {
      var parent = submitter.value.replace(/\.\d+$/, "");
      var add = document.querySelector('button[name="add"][value="' + parent + '"]');
      if (add) { add.focus(); }
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.swap || form.dataset.plain) { return; }
    var submitter = event.submitter || null;
    if (submitter && submitter.name === "remove" && !window.confirm("删除这一行？已填写的内容将一并删除。")) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    // Taken before the buttons are disabled: a disabled button's name and value are not sent.
    var body = submitter ? new FormData(form, submitter) : new FormData(form);
    var buttons = form.querySelectorAll('button[type="submit"]');
    buttons.forEach(function (b) { b.disabled = true; });
    function plain() {
      buttons.forEach(function (b) { b.disabled = false; });
      form.dataset.plain = "1";
      form.requestSubmit(submitter);
    }
    send(form.action, form, body).then(function (response) {
      if (!response.ok) { plain(); return null; }
      return response.text();
    }).then(function (html) {
      if (html !== null) { swap(html, form.dataset.swap.split(",")); focusAfter(submitter); }
    }).catch(function () { plain(); }).finally(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  });

  var timer = null;
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form || !form.dataset || !form.dataset.precheck) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      send(form.dataset.precheck, form).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html) { swap(html, ["#precheck-result"]); }
      }).catch(function () { /* 预审暂不可用时不打断编辑 */ });
    }, 700);
  });
})();
