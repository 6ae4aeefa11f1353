const multer = require('multer');
const upload = multer({ dest: '/srv/uploads' });
require('http').createServer(() => {}).listen(3000);
