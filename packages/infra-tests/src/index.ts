export { type Expectations, type ParseResult, parseExpectations } from './expectations.ts';
export {
  loadTerraformOutputs,
  type TerraformOutputs,
  TerraformOutputsError,
} from './terraform-outputs.ts';
