/* Static roster; a real app would fetch this. */
var TEAM = [
  { name: 'Ada', role: 'backend', onCall: true },
  { name: 'Grace', role: 'platform', onCall: false },
  { name: 'Linus', role: 'frontend', onCall: false },
  { name: 'Margaret', role: 'data', onCall: false },
];
