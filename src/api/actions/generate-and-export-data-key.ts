import { generateAndExportDataKey } from '../../operations/generate-and-export-data-key.js';
import { sealedBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';
import { parseDataKeyParams } from './generate-data-key.js';
import { parseExportTarget } from './export-data-key.js';

export const generateAndExportDataKeyAction = wireAction({
  action: 'GenerateAndExportDataKey',
  takesDryRun: true,
  operation: generateAndExportDataKey,
  parse: (params) => ({ ...parseDataKeyParams(params), ...parseExportTarget(params) }),
  respond: (output) => ({ ...sealedBody(output), ExportedDataKey: output.exportedDataKey.toString('base64') }),
});
