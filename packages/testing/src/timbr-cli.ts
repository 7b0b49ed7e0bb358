#!/usr/bin/env node
import { mainUpstreamCLI } from './upstream-cli.js';

mainUpstreamCLI('timbr');
