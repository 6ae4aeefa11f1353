const express = require('express');
const methodOverride = require('method-override');
