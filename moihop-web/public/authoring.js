// The recipients picker: filter units by name as one types, tick a group's units, count the chosen ones.
// Without JavaScript the form still works: chosen groups are expanded by the server.
(function () {
  var search = document.getElementById('unit-search');
  var items = Array.prototype.slice.call(document.querySelectorAll('#unit-pick li'));
  var count = document.getElementById('chosen-count');
  function fold(s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase(); }
  var keys = items.map(function (li) { return fold(li.getAttribute('data-search') || ''); });
  function update() {
    var n = document.querySelectorAll('#unit-pick input:checked').length;
    if (count) count.textContent = 'Đã chọn ' + n + ' đơn vị.';
  }
  if (search) search.addEventListener('input', function () {
    var q = fold(search.value.trim());
    items.forEach(function (li, i) { li.hidden = q !== '' && keys[i].indexOf(q) === -1; });
  });
  Array.prototype.forEach.call(document.querySelectorAll('input[name=groups]'), function (box) {
    // With JavaScript a group only ticks its units, so unticking one of them afterwards is respected.
    box.removeAttribute('name');
    box.addEventListener('change', function () {
      (box.getAttribute('data-units') || '').split(' ').forEach(function (id) {
        var unit = document.querySelector('#unit-pick input[value="' + id + '"]');
        if (unit) unit.checked = box.checked;
      });
      update();
    });
  });
  document.addEventListener('change', function (e) { if (e.target && e.target.name === 'units') update(); });
  update();
})();
