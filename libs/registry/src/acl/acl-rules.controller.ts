import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
} from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { AclRulesService } from './acl-rules.service';
import { AclDefaultDto, AclRuleBodyDto, AclRuleDto, AclRuleListDto } from './dto/acl-rule.dto';

@ProjectEndpoints('acl')
@ApiBadRequestResponse({ description: 'Bad input: the offending fields are named' })
@ApiNotFoundResponse({ description: 'No such project or rule' })
@Controller('projects/:projectId')
export class AclRulesController {
  constructor(private readonly acl: AclRulesService) {}

  @Post('acl-rules')
  @ApiCreatedResponse({ type: AclRuleDto })
  create(@Param('projectId') projectId: string, @Body() dto: AclRuleBodyDto): Promise<AclRuleDto> {
    return this.acl.create(projectId, dto);
  }

  @Get('acl-rules')
  @ApiOkResponse({ type: AclRuleListDto })
  async list(@Param('projectId') projectId: string): Promise<AclRuleListDto> {
    return { items: await this.acl.list(projectId) };
  }

  @Get('acl-rules/:ruleId')
  @ApiOkResponse({ type: AclRuleDto })
  get(@Param('projectId') projectId: string, @Param('ruleId') ruleId: string): Promise<AclRuleDto> {
    return this.acl.get(projectId, ruleId);
  }

  @Put('acl-rules/:ruleId')
  @ApiOkResponse({ type: AclRuleDto })
  replace(@Param('projectId') projectId: string, @Param('ruleId') ruleId: string, @Body() dto: AclRuleBodyDto): Promise<AclRuleDto> {
    return this.acl.replace(projectId, ruleId, dto);
  }

  @Delete('acl-rules/:ruleId')
  @HttpCode(204)
  @ApiNoContentResponse()
  delete(@Param('projectId') projectId: string, @Param('ruleId') ruleId: string): Promise<void> {
    return this.acl.delete(projectId, ruleId);
  }

  @Get('acl-default')
  @ApiOkResponse({ type: AclDefaultDto, description: 'What applies when no rule matches (deny unless configured)' })
  getDefault(@Param('projectId') projectId: string): Promise<AclDefaultDto> {
    return this.acl.getDefault(projectId);
  }

  @Put('acl-default')
  @ApiOkResponse({ type: AclDefaultDto })
  setDefault(@Param('projectId') projectId: string, @Body() dto: AclDefaultDto): Promise<AclDefaultDto> {
    return this.acl.setDefault(projectId, dto.permission);
  }
}
