import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
} from '@nestjs/swagger';
import { PageQuery, ProjectEndpoints } from '@iot/runtime';
import { CreateProductDto, ProductBodyDto, ProductDto, ProductPageDto } from './dto/product.dto';
import { ProductsService } from './products.service';

@ProjectEndpoints('products')
@ApiBadRequestResponse({ description: 'Bad input, including a thing model that breaks its rules (INVALID_THING_MODEL): the offending fields are named' })
@ApiNotFoundResponse({ description: 'No such project or product' })
@Controller('projects/:projectId/products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Post()
  @ApiCreatedResponse({ type: ProductDto })
  @ApiConflictResponse({ description: 'The id is taken in this project (PRODUCT_EXISTS)' })
  create(@Param('projectId') projectId: string, @Body() dto: CreateProductDto): Promise<ProductDto> {
    return this.products.create(projectId, dto);
  }

  @Get()
  @ApiOkResponse({ type: ProductPageDto })
  list(@Param('projectId') projectId: string, @Query() query: PageQuery): Promise<ProductPageDto> {
    return this.products.list(projectId, query);
  }

  @Get(':productId')
  @ApiOkResponse({ type: ProductDto })
  get(@Param('projectId') projectId: string, @Param('productId') productId: string): Promise<ProductDto> {
    return this.products.get(projectId, productId);
  }

  @Put(':productId')
  @ApiOkResponse({ type: ProductDto, description: 'Name and thing model replaced' })
  replace(@Param('projectId') projectId: string, @Param('productId') productId: string, @Body() dto: ProductBodyDto): Promise<ProductDto> {
    return this.products.replace(projectId, productId, dto);
  }

  @Delete(':productId')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'Devices still use it (PRODUCT_IN_USE)' })
  delete(@Param('projectId') projectId: string, @Param('productId') productId: string): Promise<void> {
    return this.products.delete(projectId, productId);
  }
}
