// The live follow-up table: every ~15 s it asks GET /admin/invitations/:id/follow-up.json (same filter and order
// as the page) and updates the counts and the rows in place. Without JavaScript the page shows the same table
// as of its loading. On the attendance sheet: the "In danh sách" button.
(function () {
  'use strict';

  Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });

  var table = document.querySelector('table[data-follow-up]');
  if (!table || !window.fetch || !window.JSON) return;
  var url = table.getAttribute('data-follow-up');
  var interval = Math.max(2000, Number(table.getAttribute('data-interval')) || 15000);
  var version = table.getAttribute('data-version');
  var tbody = table.tBodies[0];
  var live = document.getElementById('follow-up-live');
  var shown = document.getElementById('follow-up-shown');
  var timer = null;
  var failures = 0;

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function clock() { var d = new Date(); return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function muted(text) { return el('span', 'muted', text); }
  function cell(label) { var td = el('td'); td.setAttribute('data-label', label); return td; }

  // The same markup as templates/web/admin-invitation.ejs.
  function row(u) {
    var a = u.answer;
    var tr = el('tr', a ? a.className : (u.firstReadAt ? 'read-only' : 'unread'));
    tr.id = 'u-' + u.unitId;
    tr.setAttribute('data-unit', u.unitId);

    var name = cell('Đơn vị');
    name.appendChild(el('strong', null, u.unitName));
    if (u.username) { name.appendChild(document.createTextNode(' ')); name.appendChild(muted('(' + u.username + ')')); }
    tr.appendChild(name);

    var mail = cell('Thư công vụ');
    mail.appendChild(el('span', 'delivery-state ' + u.delivery.className, u.delivery.label));
    u.delivery.failures.forEach(function (f) { mail.appendChild(el('br')); mail.appendChild(muted(f.recipient + ': ' + f.reply)); });
    tr.appendChild(mail);

    tr.appendChild(cell('Đã xem')).textContent = u.firstReadText || 'Chưa xem';

    var answer = cell('Trả lời');
    if (a) {
      answer.appendChild(el('span', 'answer-state ' + a.className, a.label));
      if (a.beforeChange) { answer.appendChild(el('br')); answer.appendChild(muted('trả lời trước lần sửa đổi')); }
    } else {
      answer.appendChild(el('span', 'answer-state answer-pending', 'Chưa trả lời'));
    }
    tr.appendChild(answer);

    var who = cell('Người dự / lý do');
    if (a && a.attendeeName) {
      who.appendChild(document.createTextNode(a.attendeeName + (a.attendeePosition ? ', ' + a.attendeePosition : '')));
      if (a.attendeePhone) { who.appendChild(el('br')); who.appendChild(muted('ĐT ' + a.attendeePhone)); }
    }
    if (a && a.reason) {
      if (a.attendeeName) who.appendChild(el('br'));
      who.appendChild(document.createTextNode('Lý do: ' + a.reason));
    }
    if (!a || (!a.attendeeName && !a.reason)) who.appendChild(muted('—'));
    tr.appendChild(who);

    var when = cell('Lúc trả lời');
    if (a) {
      when.appendChild(document.createTextNode(a.answeredText));
      when.appendChild(el('br'));
      when.appendChild(muted(a.answeredBy + (a.changes ? ' · đã đổi ' + a.changes + ' lần' : '')));
    } else {
      when.appendChild(muted('—'));
    }
    tr.appendChild(when);
    return tr;
  }

  function apply(data) {
    Array.prototype.forEach.call(document.querySelectorAll('.counts [data-count]'), function (item) {
      var value = data.counts[item.getAttribute('data-count')];
      var strong = item.querySelector('strong');
      if (strong && value !== undefined && strong.textContent !== String(value)) strong.textContent = String(value);
    });
    Array.prototype.forEach.call(document.querySelectorAll('#fu-state option'), function (option) {
      var n = data.filterCounts[option.value];
      if (n !== undefined) option.textContent = option.textContent.replace(/\(\d+\)$/, '(' + n + ')');
    });
    if (data.version !== version) {
      var fresh = document.createDocumentFragment();
      data.units.forEach(function (u) { fresh.appendChild(row(u)); });
      if (!data.units.length) {
        var empty = el('tr', 'empty');
        var td = el('td', 'muted', 'Không có đơn vị nào ở mục này.');
        td.colSpan = 6;
        empty.appendChild(td);
        fresh.appendChild(empty);
      }
      tbody.replaceChildren ? tbody.replaceChildren(fresh) : (tbody.textContent = '', tbody.appendChild(fresh));
      version = data.version;
      table.setAttribute('data-version', version);
    }
    if (shown) shown.textContent = shown.textContent.replace(/\d+\/\d+/, data.shown + '/' + data.counts.invited);
    if (live) live.textContent = 'Tự động cập nhật, lần cuối lúc ' + clock() + '.';
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    if (document.hidden) return; // asked again when the tab is shown
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) {
        var type = res.headers.get('content-type') || '';
        if (!res.ok || type.indexOf('application/json') !== 0) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (data) {
        failures = 0;
        apply(data);
        schedule(interval);
      })
      .catch(function () {
        failures += 1;
        if (live) live.textContent = 'Không cập nhật được (mất kết nối hoặc phiên đăng nhập đã hết); tải lại trang để xem số liệu mới.';
        if (failures < 20) schedule(interval * Math.min(failures + 1, 4));
      });
  }

  document.addEventListener('visibilitychange', function () { if (!document.hidden) schedule(0); });
  if (live) live.textContent = 'Tự động cập nhật mỗi ' + Math.round(interval / 1000) + ' giây.';
  schedule(interval);
})();
