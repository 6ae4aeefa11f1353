<?php

declare(strict_types=1);

use StatusBoard\App;
use StatusBoard\ServiceRegistry;

require dirname(__DIR__) . '/vendor/autoload.php';

// The built-in server runs one PHP worker per request, so state kept in
// memory would be lost; the registry is re-read from config on each request
// and status changes are only visible within the request that made them.
$registry = ServiceRegistry::fromFile(dirname(__DIR__) . '/config/services.php');
$app = new App($registry);

$app->handle(
    $_SERVER['REQUEST_METHOD'] ?? 'GET',
    $_SERVER['REQUEST_URI'] ?? '/',
    (string) file_get_contents('php://input'),
)->send();
