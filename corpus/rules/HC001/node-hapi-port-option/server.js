const Hapi = require('@hapi/hapi');

const init = async () => {
  const server = Hapi.server({
    port: 4100,
    host: '0.0.0.0',
  });
  server.route({ method: 'GET', path: '/', handler: () => 'tiles' });
  await server.start();
};

init();
