const fs = require('fs');
const path = require('path');
fs.writeFileSync(path.join(process.env.OUT || '.', 'report.json'), '{}');
