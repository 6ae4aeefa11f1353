// Render one card per team member into #root.
(function () {
  var root = document.getElementById('root');
  var board = document.createElement('section');
  board.className = 'board';

  TEAM.forEach(function (member) {
    var card = document.createElement('article');
    card.className = member.onCall ? 'card on-call' : 'card';
    var title = document.createElement('h2');
    title.textContent = member.name;
    var role = document.createElement('p');
    role.textContent = member.role + (member.onCall ? ' (on call)' : '');
    card.appendChild(title);
    card.appendChild(role);
    board.appendChild(card);
  });

  root.appendChild(board);
})();
