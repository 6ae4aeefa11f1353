<?php
declare(strict_types=1);

use Greetings\Greeter;
use Psr\Http\Message\ResponseInterface as Response;
use Psr\Http\Message\ServerRequestInterface as Request;
use Slim\Factory\AppFactory;

require __DIR__ . '/../vendor/autoload.php';

$app = AppFactory::create();
$app->get('/health', function (Request $request, Response $response): Response {
    $response->getBody()->write('ok');
    return $response;
});
$app->get('/hello/{name}', function (Request $request, Response $response, array $args): Response {
    $response->getBody()->write((new Greeter('de_DE'))->greet($args['name']));
    return $response;
});
$app->run();
