const multer = require('multer');
const upload = multer({ dest: 'uploads/' });
require('http').createServer(() => {}).listen(3000);
